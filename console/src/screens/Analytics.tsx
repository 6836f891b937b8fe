import { useMemo, useState } from 'react';
import type { Api } from '../api';
import { Chart } from '../components/Chart';
import { useT } from '../i18n';
import { range, type Period } from '../period';
import { useLoad } from '../usePoll';
import { PeriodSelect } from './Gaps';

interface Count {
  key: string;
  count: number;
}
interface Analytics {
  conversations: number;
  containmentRate: number | null;
  escalated: number;
  escalationRate: number | null;
  csat: number | null;
  csatResponses: number;
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  avgConfidence: number | null;
  customerMessages: number;
  botMessages: number;
  agentMessages: number;
  outOfScope: number;
  unanswered: number;
  helpful: number;
  notHelpful: number;
  csatScore: number | null;
  nps: number | null;
  npsResponses: number;
  handoffWaitP50S: number | null;
  firstResponseP50S: number | null;
  intents: Count[];
  emotions: Count[];
  complaintSignals: Array<{ entityId: string; entityName: string | null; count: number; previousCount: number; change: number }>;
  timeseries: Array<{ start: string; conversations: number; handedOff: number; contained: number; customerMessages: number }>;
  escalationReasons: Count[];
  channels: Count[];
  languages: Count[];
  gaps: Array<{ question: string; count: number }>;
}

const QUERY = `query Dashboard($from: DateTime!, $to: DateTime!, $granularity: Granularity!) { analytics(from: $from, to: $to, top: 10) {
  conversations containmentRate escalated escalationRate csat csatResponses csatScore nps npsResponses latencyP50Ms latencyP95Ms avgConfidence
  handoffWaitP50S firstResponseP50S customerMessages botMessages agentMessages outOfScope unanswered helpful notHelpful
  intents { key count } emotions { key count } escalationReasons { key count } channels { key count } languages { key count }
  complaintSignals(examples: 0) { entityId entityName count previousCount change }
  timeseries(granularity: $granularity) { start conversations handedOff contained customerMessages }
  gaps { question count } } }`;

const pct = (x: number | null) => (x == null ? '—' : `${(x * 100).toFixed(1)} %`);
const num = (x: number | null, digits = 0) => (x == null ? '—' : x.toFixed(digits));
const split = (xs: Count[]) => ({ labels: xs.map((x) => x.key), series: [{ name: '', values: xs.map((x) => x.count) }] });

/** The analytics dashboard: headline figures and charts over `analytics(from, to)`. */
export default function AnalyticsScreen({ api }: { api: Api }) {
  const { t } = useT();
  const [period, setPeriod] = useState<Period>('7d');
  const data = useLoad(() => api.request<{ analytics: Analytics }>(QUERY, { ...range(period), granularity: period === '24h' ? 'HOUR' : 'DAY' }).then((r) => r.analytics), [api, period]);
  const a = data.data;
  const charts = useMemo(() => {
    if (!a) return null;
    return {
      volumes: { labels: [t('customer'), t('bot'), t('agent')], series: [{ name: t('volumes'), values: [a.customerMessages, a.botMessages, a.agentMessages] }] },
      intents: split(a.intents),
      emotions: split(a.emotions),
      complaints: { labels: a.complaintSignals.map((c) => c.entityName ?? c.entityId), series: [{ name: t('currentPeriod'), values: a.complaintSignals.map((c) => c.count) }, { name: t('previousPeriod'), values: a.complaintSignals.map((c) => c.previousCount) }] },
      overTime: {
        labels: a.timeseries.map((b) => (period === '24h' ? new Date(b.start).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : new Date(b.start).toLocaleDateString())),
        series: [
          { name: t('conversations'), values: a.timeseries.map((b) => b.conversations) },
          { name: t('contained'), values: a.timeseries.map((b) => b.contained) },
          { name: t('escalations'), values: a.timeseries.map((b) => b.handedOff) },
        ],
      },
      reasons: split(a.escalationReasons),
      channels: split(a.channels),
      languages: split(a.languages),
      gaps: { labels: a.gaps.slice(0, 8).map((g) => (g.question.length > 28 ? `${g.question.slice(0, 27)}…` : g.question)), series: [{ name: '', values: a.gaps.slice(0, 8).map((g) => g.count) }] },
    };
  }, [a, t, period]);
  return (
    <div className="analytics">
      <h1>{t('analyticsTitle')}</h1>
      <PeriodSelect value={period} onChange={setPeriod} />
      {data.error && <p className="banner error" role="alert">{t('error', { message: data.error })}</p>}
      {a && charts && (
        <>
          <dl className="kpis" data-testid="kpis">
            <div><dt>{t('conversations')}</dt><dd>{a.conversations}</dd></div>
            <div><dt>{t('containment')}</dt><dd>{pct(a.containmentRate)}</dd></div>
            <div><dt>{t('escalations')}</dt><dd>{a.escalated} ({pct(a.escalationRate)})</dd></div>
            <div><dt>{t('csat')}</dt><dd>{num(a.csat, 2)} · {pct(a.csatScore)} <span className="muted">(n={a.csatResponses})</span></dd></div>
            <div><dt>NPS</dt><dd>{num(a.nps, 0)} <span className="muted">(n={a.npsResponses})</span></dd></div>
            <div><dt>{t('handoffWait')}</dt><dd>{num(a.handoffWaitP50S, 0)} s</dd></div>
            <div><dt>{t('firstResponse')}</dt><dd>{num(a.firstResponseP50S, 1)} s</dd></div>
            <div><dt>{t('latency')}</dt><dd>{num(a.latencyP50Ms)} / {num(a.latencyP95Ms)} ms</dd></div>
            <div><dt>{t('avgConfidence')}</dt><dd>{num(a.avgConfidence, 2)}</dd></div>
          </dl>
          <div className="charts">
            <Chart title={t('overTime')} kind="line" {...charts.overTime} />
            <Chart title={t('volumes')} kind="bar" {...charts.volumes} />
            <Chart title={t('intents')} kind="bar" {...charts.intents} />
            <Chart title={t('emotions')} kind="pie" {...charts.emotions} />
            <Chart title={t('complaintSignals')} kind="bar" {...charts.complaints} />
            <Chart title={t('escalationReasons')} kind="bar" {...charts.reasons} />
            <Chart title={t('channels')} kind="pie" {...charts.channels} />
            <Chart title={t('languages')} kind="pie" {...charts.languages} />
            <Chart title={t('gapsList')} kind="bar" {...charts.gaps} />
          </div>
        </>
      )}
    </div>
  );
}
