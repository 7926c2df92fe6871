/**
 * A live line chart (uPlot). Charts share one clock: each samples what the query cache holds
 * once a second, so a page's charts line up on one time axis and the data comes from the one
 * live socket, never from a poll of their own.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

const POINTS = 300;
const COLOURS = ['#2563eb', '#16a34a', '#d97706', '#db2777'];

export interface ChartProps {
  title: string;
  /** One name per line. */
  series: string[];
  /** The values now, in the order of `series`; read once a second. */
  values: (number | undefined)[];
}

export function Chart({ title, series, values }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const latest = useRef(values);
  latest.current = values;
  useEffect(() => {
    const element = box.current;
    if (element === null) return;
    const data: number[][] = [[], ...series.map(() => [])];
    const plot = new uPlot(
      {
        width: element.clientWidth || 400,
        height: 180,
        legend: { show: true },
        series: [{}, ...series.map((label, i) => ({ label, stroke: COLOURS[i % COLOURS.length], width: 2 }))],
        // A fixed five-minute window: the axis does not stretch to years while there are few points.
        scales: { x: { time: true, range: (_u, _min, max) => [max - POINTS, max] } },
        axes: [{ stroke: 'currentColor' }, { stroke: 'currentColor' }],
      },
      data as uPlot.AlignedData,
      element,
    );
    const sample = () => {
      data[0]!.push(Date.now() / 1000);
      latest.current.forEach((v, i) => data[i + 1]!.push(v ?? 0));
      if (data[0]!.length > POINTS) for (const line of data) line.shift();
      plot.setData(data as uPlot.AlignedData);
    };
    sample();
    const timer = setInterval(sample, 1000);
    const resize = new ResizeObserver(() => plot.setSize({ width: element.clientWidth, height: 180 }));
    resize.observe(element);
    return () => {
      clearInterval(timer);
      resize.disconnect();
      plot.destroy();
    };
  }, [series.join('\n')]);
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      <div ref={box} role="img" aria-label={`${title}: ${series.map((s, i) => `${s} ${values[i] ?? 0}`).join(', ')}`} />
    </figure>
  );
}
