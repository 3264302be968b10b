import { useEffect, useState } from "react";
import { Button, ConfigProvider } from "tdesign-react";
import enConfig from "tdesign-react/es/locale/en_US";
import zhConfig from "tdesign-react/es/locale/zh_CN";
import { commands } from "./bindings";
import { LanguageSwitch } from "./components/LanguageSwitch";
import { QuitDialog } from "./components/QuitDialog";
import { I18nProvider, useI18n, type Lang } from "./i18n";
import { Instances } from "./screens/Instances";
import { NewTask } from "./screens/NewTask";
import { TaskDetail } from "./screens/TaskDetail";
import { TaskList } from "./screens/TaskList";
import { HotStandby } from "./screens/HotStandby";
import { Sandbox } from "./screens/Sandbox";
import { Settings } from "./screens/Settings";
import { sandboxTask, type BasicFields } from "./newTaskForm";

type Screen = "tasks" | "instances" | "new-task" | "task" | "standby" | "sandbox" | "settings";

function Shell() {
  const { t, lang } = useI18n();
  const [screen, setScreen] = useState<Screen>("tasks");
  const [taskId, setTaskId] = useState<number | null>(null);
  const openTask = (id: number) => {
    setTaskId(id);
    setScreen("task");
  };
  const [dataDir, setDataDir] = useState<string | undefined>();
  /** The new-task form's starting fields when the sandbox opens it (a first migration in three clicks). */
  const [prefill, setPrefill] = useState<BasicFields | undefined>();
  const go = (to: Screen) => {
    if (to === "new-task") setPrefill(undefined);
    setScreen(to);
  };

  useEffect(() => {
    commands
      .dataDir()
      .then((r) => r.status === "ok" && setDataDir(r.data))
      .catch(() => {});
  }, []);

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  const nav = (to: Screen, label: string) => (
    <Button
      variant={screen === to || (to === "tasks" && (screen === "new-task" || screen === "task")) ? "base" : "text"}
      theme={screen === to ? "primary" : "default"}
      onClick={() => setScreen(to)}
      data-testid={`nav-${to}`}
    >
      {label}
    </Button>
  );

  return (
    <ConfigProvider globalConfig={lang === "en" ? enConfig : zhConfig}>
      <header className="ferry-header">
        <span className="ferry-brand">{t("app.title")}</span>
        <nav className="ferry-nav">
          {nav("tasks", t("nav.tasks"))}
          {nav("instances", t("nav.instances"))}
          {nav("standby", t("nav.standby"))}
          {nav("sandbox", t("nav.sandbox"))}
          {nav("settings", t("nav.settings"))}
        </nav>
        <LanguageSwitch testIdPrefix="lang" size="small" />
      </header>
      <main className="ferry-main">
        {screen === "tasks" && <TaskList onNew={() => go("new-task")} onInstances={() => setScreen("instances")} onOpen={openTask} onSandbox={() => setScreen("sandbox")} dataDir={dataDir} />}
        {screen === "instances" && <Instances dataDir={dataDir} />}
        {screen === "new-task" && <NewTask initial={prefill} onBack={() => setScreen("tasks")} onOpenTask={openTask} onInstances={() => setScreen("instances")} dataDir={dataDir} />}
        {screen === "task" && taskId !== null && <TaskDetail key={taskId} id={taskId} onBack={() => setScreen("tasks")} dataDir={dataDir} />}
        {screen === "standby" && <HotStandby onSandbox={() => setScreen("sandbox")} dataDir={dataDir} />}
        {screen === "sandbox" && (
          <Sandbox
            onNavigate={go}
            onNewTask={(sandbox) => {
              setPrefill(sandboxTask(sandbox));
              setScreen("new-task");
            }}
          />
        )}
        {screen === "settings" && <Settings dataDir={dataDir} onSandbox={() => setScreen("sandbox")} />}
      </main>
      <QuitDialog />
    </ConfigProvider>
  );
}

export function App({ lang }: { lang?: Lang }) {
  return (
    <I18nProvider lang={lang}>
      <Shell />
    </I18nProvider>
  );
}
