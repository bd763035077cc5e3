// Simulated two-time-point latent transition data for the output tests (transitions.test.ts, readmodels.test.ts).

/** generating P(c2 = column | c1 = row) */
export const TRUE_TRANSITIONS = [[0.8, 0.2], [0.3, 0.7]];

/** n persons: c1 ~ (0.4, 0.6), c2 | c1 with TRUE_TRANSITIONS; y1, y2 | c1 and y3, y4 | c2 normal (means 0 / 2.5, variance 1) */
export function generateLta(n: number): string {
  // mulberry32: a small seeded generator, enough for simulated test data
  let state = 20261122;
  const u = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  const normal = () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  const lines: string[] = [];
  for (let i = 0; i < n; i++) {
    const c1 = u() < 0.4 ? 0 : 1;
    const c2 = u() < TRUE_TRANSITIONS[c1][0] ? 0 : 1;
    const y = [c1, c1, c2, c2].map((c) => (c === 0 ? 0 : 2.5) + normal());
    lines.push(y.map((v) => v.toFixed(5)).join(' '));
  }
  return lines.join('\n') + '\n';
}

/** the plusmix input of that model (data file lta.dat) */
export const LTA_INPUT = `TITLE: two time points, c2 ON c1
DATA: FILE = lta.dat;
VARIABLE: NAMES = y1-y4;
  CLASSES = c1 (2) c2 (2);
ANALYSIS: TYPE = MIXTURE; STARTS = 0;
MODEL:
%OVERALL%
c2 ON c1;
MODEL c1:
%c1#1%
[y1*0 y2*0];
%c1#2%
[y1*2.5 y2*2.5];
MODEL c2:
%c2#1%
[y3*0 y4*0];
%c2#2%
[y3*2.5 y4*2.5];
`;
