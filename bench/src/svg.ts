/**
 * A dependency-free line plot as SVG text: axes with round-number ticks,
 * one polyline per series, a legend. Enough for "time vs container index".
 */

export interface Series {
  name: string;
  /** [x, y] pairs; a null y breaks the line (e.g. a runner that failed part-way). */
  points: readonly (readonly [number, number | null])[];
}

export interface PlotSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: readonly Series[];
}

const WIDTH = 900;
/** Horizontal room per legend entry; fits names like `ctrnet-api-nftables (failed)`. */
const LEGEND_SLOT = 200;
const HEIGHT = 500;
const MARGIN = { top: 60, right: 20, bottom: 50, left: 70 };
/** Distinct on white and for the common colour-vision deficiencies (Okabe–Ito). */
const COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];

/** Round tick step (1, 2 or 5 × 10^k) giving about `count` ticks over `span`. */
export function niceStep(span: number, count = 6): number {
  if (span <= 0) return 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = [1, 2, 5, 10].find((m) => m * power >= raw)!;
  return unit * power;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(Math.max(0, 2 - Math.floor(Math.log10(Math.abs(v)))));
}

export function linePlot(spec: PlotSpec): string {
  const xs = spec.series.flatMap((s) => s.points.map(([x]) => x));
  const ys = spec.series.flatMap((s) => s.points.flatMap(([, y]) => (y === null ? [] : [y])));
  const xMin = Math.min(1, ...xs);
  const xMax = Math.max(xMin + 1, ...xs);
  const yStep = niceStep(Math.max(...ys, 1));
  const yMax = Math.ceil(Math.max(...ys, 1) / yStep) * yStep;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const px = (x: number): number => MARGIN.left + ((x - xMin) / (xMax - xMin)) * plotW;
  const py = (y: number): number => MARGIN.top + plotH - (y / yMax) * plotH;

  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="18" text-anchor="middle" font-size="15">${escapeXml(spec.title)}</text>`,
  ];
  for (let y = 0; y <= yMax + yStep / 2; y += yStep) {
    const v = py(y).toFixed(1);
    out.push(`<line x1="${MARGIN.left}" y1="${v}" x2="${WIDTH - MARGIN.right}" y2="${v}" stroke="#e0e0e0"/>`);
    out.push(`<text x="${MARGIN.left - 6}" y="${v}" dy="4" text-anchor="end">${fmt(y)}</text>`);
  }
  const xStep = niceStep(xMax - xMin, 10);
  for (let x = Math.ceil(xMin / xStep) * xStep; x <= xMax; x += xStep) {
    const v = px(x).toFixed(1);
    out.push(`<line x1="${v}" y1="${MARGIN.top + plotH}" x2="${v}" y2="${MARGIN.top + plotH + 5}" stroke="#333"/>`);
    out.push(`<text x="${v}" y="${MARGIN.top + plotH + 18}" text-anchor="middle">${fmt(x)}</text>`);
  }
  out.push(
    `<polyline points="${MARGIN.left},${MARGIN.top} ${MARGIN.left},${MARGIN.top + plotH} ${WIDTH - MARGIN.right},${MARGIN.top + plotH}" fill="none" stroke="#333"/>`,
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 10}" text-anchor="middle">${escapeXml(spec.xLabel)}</text>`,
    `<text transform="translate(18 ${MARGIN.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(spec.yLabel)}</text>`,
  );
  spec.series.forEach((series, k) => {
    const color = COLORS[k % COLORS.length]!;
    for (const run of segments(series.points)) {
      const pts = run.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ');
      out.push(`<polyline points="${pts}" fill="none" stroke="${color}" stroke-width="1.5" stroke-linejoin="round"/>`);
    }
    // Legend above the plot, where no line can hide it; a second row when one does not hold every entry.
    const perRow = Math.floor((WIDTH - MARGIN.left) / LEGEND_SLOT);
    const rows = Math.ceil(spec.series.length / perRow);
    const lx = MARGIN.left + (k % perRow) * LEGEND_SLOT;
    const ly = MARGIN.top - 10 - (rows - 1 - Math.floor(k / perRow)) * 16;
    out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 24}" y2="${ly}" stroke="${color}" stroke-width="3"/>`);
    out.push(`<text x="${lx + 30}" y="${ly}" dy="4">${escapeXml(series.name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n') + '\n';
}

/** Splits a series at null values into runs of drawable points. */
function segments(points: Series['points']): [number, number][][] {
  const runs: [number, number][][] = [[]];
  for (const [x, y] of points) {
    if (y === null) runs.push([]);
    else runs[runs.length - 1]!.push([x, y]);
  }
  return runs.filter((r) => r.length > 0);
}
