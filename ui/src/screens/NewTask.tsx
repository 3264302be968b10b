import { Button, Card } from "tdesign-react";
import { useI18n } from "../i18n";

/** Placeholder until the create-task step form lands. */
export function NewTask({ onBack }: { onBack: () => void }) {
  const { t } = useI18n();
  return (
    <section data-testid="new-task-screen">
      <h1 className="ferry-page-title">{t("newTask.title")}</h1>
      <Card className="ferry-empty">
        <p>{t("newTask.placeholder")}</p>
        <Button theme="primary" onClick={onBack}>
          {t("newTask.back")}
        </Button>
      </Card>
    </section>
  );
}
