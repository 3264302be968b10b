import { useEffect, useMemo, useRef } from "react";
import { echarts, type ChartOption } from "../charts";
import { fmtBytes, fmtCount } from "../format";
import { useI18n } from "../i18n";
import type { SyncPoint } from "../syncSeries";

/** A line chart that follows `option` (ECharts merges each update into the chart it has). */
function Chart({ option, testId }: { option: ChartOption; testId: string }) {
  const el = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    if (!el.current) return;
    const c = echarts.init(el.current, undefined, { height: 260 });
    chart.current = c;
    const resize = () => c.resize();
    window.addEventListener("resize", resize);
    return () => {
      window.removeEventListener("resize", resize);
      c.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    chart.current?.setOption(option);
  }, [option]);

  return <div ref={el} className="ferry-chart" data-testid={testId} />;
}

const GRID = { left: 64, right: 64, top: 36, bottom: 28 };
const X_AXIS = { type: "time", splitNumber: 4, axisLabel: { hideOverlap: true } } as const;

/** Incremental sync, live: key counts on both sides, and the offsets with the lag between them. */
export function SyncCharts({ points }: { points: SyncPoint[] }) {
  const { t, lang } = useI18n();
  const last = points[points.length - 1];
  const keys = useMemo<ChartOption>(() => ({
    animation: false,
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: GRID,
    xAxis: X_AXIS,
    yAxis: { type: "value", name: t("chart.keys"), minInterval: 1, scale: true },
    series: [
      { name: t("chart.sourceKeys"), type: "line", showSymbol: false, data: points.map((p) => [p.at, p.sourceKeys]) },
      { name: t("chart.targetKeys"), type: "line", showSymbol: false, data: points.map((p) => [p.at, p.targetKeys]) },
    ],
  }), [points, t]);
  const offsets = useMemo<ChartOption>(() => ({
    animation: false,
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: GRID,
    xAxis: X_AXIS,
    yAxis: [
      { type: "value", name: t("chart.offset"), scale: true },
      { type: "value", name: t("chart.lagBytes"), splitLine: { show: false } },
    ],
    series: [
      { name: t("chart.sourceOffset"), type: "line", showSymbol: false, data: points.map((p) => [p.at, p.sourceOffset]) },
      { name: t("chart.appliedOffset"), type: "line", showSymbol: false, data: points.map((p) => [p.at, p.appliedOffset]) },
      { name: t("chart.lag"), type: "line", yAxisIndex: 1, showSymbol: false, areaStyle: { opacity: 0.15 }, data: points.map((p) => [p.at, p.lag]) },
    ],
  }), [points, t]);
  return (
    <div className="ferry-charts" data-testid="sync-charts" data-points={points.length}>
      <figure>
        <figcaption data-testid="keys-caption">
          {t("chart.keysTitle")}
          {last && ` — ${t("chart.keysNow", { source: fmtCount(last.sourceKeys, lang), target: fmtCount(last.targetKeys, lang) })}`}
        </figcaption>
        <Chart option={keys} testId="keys-chart" />
      </figure>
      <figure>
        <figcaption data-testid="offsets-caption">
          {t("chart.offsetsTitle")}
          {last && ` — ${t("chart.offsetsNow", { source: fmtCount(last.sourceOffset, lang), applied: fmtCount(last.appliedOffset, lang), lag: fmtBytes(last.lag) })}`}
        </figcaption>
        <Chart option={offsets} testId="offsets-chart" />
      </figure>
    </div>
  );
}
