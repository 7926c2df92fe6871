/** Reading the Prometheus text format in tests: `series(text)` maps `name{labels}` to its value. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function samples(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = LINE.exec(line);
    if (match === null) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key!] = value!;
    out.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return out;
}

/** The sum of every sample of `name` whose labels include `labels`. */
export function total(all: Sample[], name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  let found = false;
  for (const s of all) {
    if (s.name !== name || Object.entries(labels).some(([k, v]) => s.labels[k] !== v)) continue;
    sum += s.value;
    found = true;
  }
  if (!found) throw new Error(`no sample ${name} ${JSON.stringify(labels)}`);
  return sum;
}

export async function scrape(httpUrl: string, path = '/metrics'): Promise<Sample[]> {
  const response = await fetch(`${httpUrl}${path}`);
  if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
  if (!(response.headers.get('content-type') ?? '').startsWith('text/plain; version=0.0.4')) throw new Error(`${path} is not the Prometheus text format`);
  return samples(await response.text());
}
