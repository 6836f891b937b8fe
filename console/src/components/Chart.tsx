import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';
import { useT } from '../i18n';

// Only what the dashboard draws, so the chart chunk stays a fraction of full ECharts.
echarts.use([BarChart, LineChart, PieChart, GridComponent, TooltipComponent, LegendComponent, SVGRenderer]);

export interface Series {
  name: string;
  values: number[];
}

/**
 * One ECharts chart (bar, line or pie) over labelled values. The drawing is an image to assistive
 * technology; the same numbers follow as a visually hidden table.
 */
export function Chart({ title, kind, labels, series }: { title: string; kind: 'bar' | 'line' | 'pie'; labels: string[]; series: Series[] }) {
  const { t } = useT();
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!box.current) return;
    const chart = echarts.init(box.current, undefined, { renderer: 'svg' });
    const palette = ['#2b6cb0', '#c05621', '#2f855a', '#6b46c1', '#b83280', '#4a5568'];
    chart.setOption(
      kind === 'pie'
        ? { color: palette, tooltip: { trigger: 'item' }, series: [{ type: 'pie', radius: ['35%', '70%'], data: labels.map((name, i) => ({ name, value: series[0]?.values[i] ?? 0 })) }] }
        : {
            color: palette,
            tooltip: { trigger: 'axis' },
            legend: series.length > 1 ? { top: 0 } : undefined,
            grid: { left: 40, right: 12, top: series.length > 1 ? 28 : 12, bottom: 40, containLabel: true },
            xAxis: { type: 'category', data: labels, axisLabel: { interval: 0, rotate: labels.length > 4 ? 30 : 0 } },
            yAxis: { type: 'value', minInterval: 1 },
            series: series.map((s) => ({ name: s.name, type: kind, data: s.values })),
          },
    );
    const onResize = () => chart.resize();
    window.addEventListener('resize', onResize);
    return () => {
      window.removeEventListener('resize', onResize);
      chart.dispose();
    };
  }, [kind, labels, series]);
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      {labels.length === 0 ? <p className="muted">{t('noData')}</p> : <div ref={box} className="chart-box" role="img" aria-label={t('chartOf', { title })} />}
      <table className="sr-only">
        <caption>{title}</caption>
        <tbody>
          {labels.map((l, i) => (
            <tr key={l}>
              <th scope="row">{l}</th>
              {series.map((s) => <td key={s.name}>{s.values[i]}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
