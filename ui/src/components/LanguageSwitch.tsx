import { Radio } from "tdesign-react";
import { useI18n, type Lang } from "../i18n";

/** 中文 / English, in the header and in Settings; `testIdPrefix` tells the two apart in tests. */
export function LanguageSwitch({ testIdPrefix, size }: { testIdPrefix: string; size?: "small" | "medium" }) {
  const { t, lang, setLang } = useI18n();
  return (
    <Radio.Group variant="default-filled" size={size} value={lang} onChange={(v) => setLang(v as Lang)} aria-label={t("lang.label")}>
      <Radio.Button value="zh-CN" data-testid={`${testIdPrefix}-zh`}>
        中文
      </Radio.Button>
      <Radio.Button value="en" data-testid={`${testIdPrefix}-en`}>
        English
      </Radio.Button>
    </Radio.Group>
  );
}
