/** Minimal SVG charts for the evaluation report (no plotting dependency). */

const W = 520;
const H = 360;
const M = { l: 56, r: 16, t: 36, b: 48 };
const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e'];

/** A named polyline or bar series. */
export interface Series {
  name: string;
  points: [number, number][];
  dashed?: boolean;
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
}

function frame(
  title: string,
  xLabel: string,
  yLabel: string,
  x: [number, number],
  y: [number, number],
  body: string,
  legend: string[],
): string {
  const ticks: string[] = [];
  for (let i = 0; i <= 5; i++) {
    const fx = M.l + ((W - M.l - M.r) * i) / 5;
    const fy = H - M.b - ((H - M.t - M.b) * i) / 5;
    const vx = x[0] + ((x[1] - x[0]) * i) / 5;
    const vy = y[0] + ((y[1] - y[0]) * i) / 5;
    ticks.push(`<text x="${fx}" y="${H - M.b + 16}" text-anchor="middle">${+vx.toPrecision(3)}</text>`);
    ticks.push(`<text x="${M.l - 6}" y="${fy + 4}" text-anchor="end">${+vy.toPrecision(3)}</text>`);
    ticks.push(`<line x1="${M.l}" x2="${W - M.r}" y1="${fy}" y2="${fy}" stroke="#eee"/>`);
  }
  const leg = legend
    .map(
      (name, i) =>
        `<rect x="${M.l + 10}" y="${M.t + 8 + i * 16}" width="10" height="10" fill="${COLOURS[i % COLOURS.length]}"/><text x="${M.l + 26}" y="${M.t + 17 + i * 16}">${esc(name)}</text>`,
    )
    .join('');
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="13">${esc(title)}</text>`,
    ...ticks,
    `<rect x="${M.l}" y="${M.t}" width="${W - M.l - M.r}" height="${H - M.t - M.b}" fill="none" stroke="#333"/>`,
    body,
    leg,
    `<text x="${W / 2}" y="${H - 10}" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text transform="translate(14 ${H / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`,
    '</svg>',
  ].join('\n');
}

function scaler(x: [number, number], y: [number, number]): (p: [number, number]) => string {
  return ([a, b]) => {
    const px = M.l + ((a - x[0]) / (x[1] - x[0] || 1)) * (W - M.l - M.r);
    const py = H - M.b - ((b - y[0]) / (y[1] - y[0] || 1)) * (H - M.t - M.b);
    return `${px.toFixed(1)},${py.toFixed(1)}`;
  };
}

/** Line chart of several series (optionally with the y = x diagonal). */
export function lineChart(o: {
  title: string;
  xLabel: string;
  yLabel: string;
  x: [number, number];
  y: [number, number];
  series: Series[];
  diagonal?: boolean;
}): string {
  const s = scaler(o.x, o.y);
  const lines = o.series.map((ser, i) => {
    const pts = ser.points.filter(([a, b]) => Number.isFinite(a) && Number.isFinite(b));
    const dots = pts
      .map(
        (p) =>
          `<circle cx="${s(p).split(',')[0]}" cy="${s(p).split(',')[1]}" r="2" fill="${COLOURS[i % COLOURS.length]}"/>`,
      )
      .join('');
    return `<polyline fill="none" stroke="${COLOURS[i % COLOURS.length]}" stroke-width="1.6"${ser.dashed ? ' stroke-dasharray="4 3"' : ''} points="${pts.map(s).join(' ')}"/>${pts.length < 40 ? dots : ''}`;
  });
  const diag = o.diagonal
    ? `<polyline fill="none" stroke="#999" stroke-dasharray="2 3" points="${s([o.x[0], o.x[0]])} ${s([o.x[1], o.x[1]])}"/>`
    : '';
  return frame(
    o.title,
    o.xLabel,
    o.yLabel,
    o.x,
    o.y,
    diag + lines.join(''),
    o.series.map((x) => x.name),
  );
}

/** Overlaid step histograms (densities) of several samples over shared bins. */
export function histogramChart(o: {
  title: string;
  xLabel: string;
  lo: number;
  hi: number;
  counts: { name: string; counts: number[] }[];
}): string {
  const dens = o.counts.map((c) => {
    const total = c.counts.reduce((a, b) => a + b, 0) || 1;
    return c.counts.map((v) => v / total);
  });
  const yMax = Math.max(...dens.flat(), 1e-9) * 1.05;
  const bins = o.counts[0]?.counts.length ?? 1;
  const width = (o.hi - o.lo) / bins;
  const series: Series[] = o.counts.map((c, i) => ({
    name: c.name,
    points: (dens[i] as number[]).flatMap((v, b): [number, number][] => [
      [o.lo + b * width, v],
      [o.lo + (b + 1) * width, v],
    ]),
  }));
  return lineChart({
    title: o.title,
    xLabel: o.xLabel,
    yLabel: 'share of inputs',
    x: [o.lo, o.hi],
    y: [0, yMax],
    series,
  });
}
