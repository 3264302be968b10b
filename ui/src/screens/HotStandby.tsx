import { useState } from "react";
import { Button, Card, Loading, Space } from "tdesign-react";
import { ErrorView } from "../components/ErrorView";
import { Notice } from "../components/Notice";
import { StandbyCard } from "../components/StandbyCard";
import { StandbyForm } from "../components/StandbyForm";
import { useI18n } from "../i18n";
import { useStandbys } from "../standby";

/** Running hot-standby pairs ("热备"), each with its topology, live health and event timeline. */
export function HotStandby({ onSandbox, dataDir }: { onSandbox: () => void; dataDir?: string }) {
  const { t } = useI18n();
  const { pairs, timelines, sandboxPairId, error, load } = useStandbys();
  const [showForm, setShowForm] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  return (
    <section data-testid="standby-screen">
      <h1 className="ferry-page-title">{t("standby.title")}</h1>
      <p className="ferry-muted">{t("standby.intro")}</p>
      <div className="ferry-toolbar">
        <span className="ferry-spacer" />
        <Button variant="outline" onClick={() => void load()}>
          {t("standby.refresh")}
        </Button>
        <Button theme="primary" onClick={() => setShowForm(true)} data-testid="new-standby">
          {t("standby.new")}
        </Button>
      </div>
      <Notice message={notice} onClose={() => setNotice(null)} />
      {error && <ErrorView error={error} onRetry={() => void load()} dataDir={dataDir} />}
      {showForm && (
        <StandbyForm
          onCancel={() => setShowForm(false)}
          onStarted={(pair) => {
            setShowForm(false);
            setNotice(t("standbyForm.started", { name: pair.name, listen: pair.listen }));
            void load();
          }}
        />
      )}
      {pairs === null && !error && <Loading />}
      {pairs !== null && pairs.length === 0 && !showForm && (
        <div data-testid="standby-empty">
          <Card className="ferry-empty">
            <p>{t("standby.empty")}</p>
            <p>{t("standby.emptyHint")}</p>
            <Space>
              <Button variant="outline" onClick={onSandbox}>
                {t("standby.trySandbox")}
              </Button>
              <Button theme="primary" onClick={() => setShowForm(true)}>
                {t("standby.new")}
              </Button>
            </Space>
          </Card>
        </div>
      )}
      {pairs?.map((pair) => (
        <StandbyCard key={pair.id} pair={pair} timeline={timelines[pair.id] ?? []} isSandbox={pair.id === sandboxPairId} onChanged={() => void load()} />
      ))}
    </section>
  );
}
