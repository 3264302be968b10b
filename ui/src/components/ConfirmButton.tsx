import { useState, type ReactNode } from "react";
import { Button, Dialog } from "tdesign-react";
import { useI18n } from "../i18n";

/** A button that asks first: a dialog says what will happen; its confirm button runs `onConfirm`. */
export function ConfirmButton({
  children,
  title,
  body,
  onConfirm,
  testId,
  theme = "default",
  loading = false,
}: {
  children: ReactNode;
  title: string;
  body: string;
  onConfirm: () => void;
  testId: string;
  theme?: "default" | "primary" | "danger" | "warning";
  loading?: boolean;
}) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  return (
    <>
      <Button variant="outline" theme={theme} loading={loading} onClick={() => setOpen(true)} data-testid={testId}>
        {children}
      </Button>
      <Dialog
        visible={open}
        header={title}
        onClose={() => setOpen(false)}
        footer={
          <>
            <Button variant="outline" onClick={() => setOpen(false)}>
              {t("standby.cancel")}
            </Button>
            <Button
              theme={theme === "default" ? "primary" : theme}
              data-testid={`${testId}-confirm`}
              onClick={() => {
                setOpen(false);
                onConfirm();
              }}
            >
              {t("standby.confirm")}
            </Button>
          </>
        }
      >
        <p>{body}</p>
      </Dialog>
    </>
  );
}
