import { parseRedisInfo, redisCost } from './redis-cost';

const info = (evalsha: number, hmget: number, inBytes: number, outBytes: number, infoCalls = 1) =>
  [
    '# Commandstats',
    `cmdstat_evalsha:calls=${evalsha},usec=10,usec_per_call=1.00,rejected_calls=0,failed_calls=0`,
    `cmdstat_hmget:calls=${hmget},usec=5,usec_per_call=1.00,rejected_calls=0,failed_calls=0`,
    `cmdstat_info:calls=${infoCalls},usec=5,usec_per_call=5.00,rejected_calls=0,failed_calls=0`,
    '# Stats',
    `total_net_input_bytes:${inBytes}`,
    `total_net_output_bytes:${outBytes}`,
  ].join('\r\n');

describe('Redis cost per prediction', () => {
  it('divides the command and byte deltas of a step by the predictions answered, scripts apart', () => {
    const before = parseRedisInfo(info(10, 100, 1000, 2000));
    const after = parseRedisInfo(info(30, 140, 5000, 4000, 3));
    const cost = redisCost(before, after, 20);
    expect(cost).toMatchObject({ predictions: 20, commands: 3, scripts: 1, bytesIn: 200, bytesOut: 100 });
    expect(cost.byCommand).toEqual([
      { command: 'hmget', perPrediction: 2 },
      { command: 'evalsha', perPrediction: 1 },
    ]);
  });

  it('counts a command first seen during the step from zero', () => {
    const cost = redisCost(parseRedisInfo(''), parseRedisInfo(info(4, 0, 0, 0)), 2);
    expect(cost.byCommand).toEqual([{ command: 'evalsha', perPrediction: 2 }]);
  });
});
