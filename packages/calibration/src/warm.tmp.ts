import { loadShifted, SHIFTED_FIT, SHIFTED_EVAL } from '/work/wt-reliab/packages/calibration/src/shifted';
(async () => {
  const log = (m: string) => console.log(new Date().toISOString(), m);
  for (const o of [SHIFTED_FIT, SHIFTED_EVAL]) {
    const s = await loadShifted(o, log);
    log(`${o.split}: digits ${s.digits.n} nonDigits ${s.nonDigits.n} rejected ${JSON.stringify(s.rejected)}`);
  }
})();
