import { useState } from "react";
import { Button, Card, Input, Radio, Space } from "tdesign-react";
import { LanguageSwitch } from "../components/LanguageSwitch";
import { useI18n } from "../i18n";
import { savedTheme, setTheme, type ThemeChoice } from "../theme";

/** Language, theme, and where the data lives (read-only). */
export function Settings({ dataDir, onSandbox }: { dataDir?: string; onSandbox: () => void }) {
  const { t } = useI18n();
  const [theme, setThemeState] = useState<ThemeChoice>(savedTheme);
  const [copied, setCopied] = useState<"ok" | "failed" | null>(null);

  const chooseTheme = (choice: ThemeChoice) => {
    setTheme(choice);
    setThemeState(choice);
  };

  const copy = async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied("ok");
    } catch {
      setCopied("failed");
    }
  };

  return (
    <section data-testid="settings-screen">
      <h1 className="ferry-page-title">{t("settings.title")}</h1>
      <Card className="ferry-block" title={t("settings.language")}>
        <LanguageSwitch testIdPrefix="settings-lang" />
      </Card>
      <Card className="ferry-block" title={t("settings.theme")}>
        <Radio.Group variant="default-filled" value={theme} onChange={(v) => chooseTheme(v as ThemeChoice)}>
          <Radio.Button value="light" data-testid="theme-light">
            {t("settings.theme.light")}
          </Radio.Button>
          <Radio.Button value="dark" data-testid="theme-dark">
            {t("settings.theme.dark")}
          </Radio.Button>
          <Radio.Button value="system" data-testid="theme-system">
            {t("settings.theme.system")}
          </Radio.Button>
        </Radio.Group>
      </Card>
      <Card className="ferry-block" title={t("settings.dataDir")}>
        <p className="ferry-muted">{t("settings.dataDirHint")}</p>
        {dataDir === undefined ? (
          <p>{t("settings.dataDirUnknown")}</p>
        ) : (
          <Space align="center">
            <Input readonly value={dataDir} style={{ width: 560 }} data-testid="data-dir" />
            <Button variant="outline" onClick={() => void copy(dataDir)}>
              {t("settings.copy")}
            </Button>
            {copied && <span className="ferry-muted">{t(copied === "ok" ? "settings.copied" : "settings.copyFailed")}</span>}
          </Space>
        )}
      </Card>
      <Card className="ferry-block" title={t("sandbox.title")}>
        <p className="ferry-muted">{t("sandbox.intro")}</p>
        <Button variant="outline" onClick={onSandbox} data-testid="settings-sandbox">
          {t("settings.openSandbox")}
        </Button>
      </Card>
    </section>
  );
}
