import { Alert } from "tdesign-react";

/** The result of an action, until the user closes it (or the next action replaces it). */
export function Notice({
  message,
  theme = "success",
  onClose,
  testId = "notice",
}: {
  message: string | null;
  theme?: "success" | "warning" | "info";
  onClose: () => void;
  testId?: string;
}) {
  if (!message) return null;
  return (
    <div data-testid={testId}>
      <Alert className="ferry-block" theme={theme} message={message} closeBtn onClose={onClose} />
    </div>
  );
}
