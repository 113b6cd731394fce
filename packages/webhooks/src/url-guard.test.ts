import { AppError } from '@mserve/common';
import { addressRange, assertDeliverableUrl, parseAllowList, pinnedLookup, resolveDeliverableUrl } from './url-guard';

const REFUSED = [
  'http://127.0.0.1/hook',
  'http://[::1]/hook',
  'http://10.0.0.1/hook',
  'http://172.16.0.1/hook',
  'http://192.168.1.1/hook',
  'http://169.254.169.254/latest/meta-data/',
  'http://100.64.0.1/hook',
  'http://0.0.0.0/hook',
  'http://0x7f000001/hook',
  'http://2130706433/hook',
  'http://[::ffff:127.0.0.1]/hook',
  'http://[::ffff:8.8.8.8]/hook',
  'http://0177.0.0.1/hook',
  'http://127.1/hook',
  'http://[::]/hook',
  'http://224.0.0.1/hook',
  'http://[fd00:ec2::254]/hook',
  'http://[fe80::1]/hook',
  'http://[64:ff9b::7f00:1]/hook',
  'http://240.0.0.1/hook',
  'http://localhost/hook',
  'http://LOCALHOST./hook',
  'file:///etc/passwd',
  'gopher://127.0.0.1:6379/_INFO',
  'ftp://example.com/',
  'not a url',
];

async function refusal(url: string, allow: string[] = []): Promise<AppError> {
  try {
    await assertDeliverableUrl(url, { allow });
  } catch (e) {
    return e as AppError;
  }
  throw new Error(`${url} was accepted`);
}

describe('assertDeliverableUrl', () => {
  it.each(REFUSED)('refuses %s with WEBHOOK_URL_REFUSED when nothing is allowlisted', async (url) => {
    const err = await refusal(url);
    expect(err).toBeInstanceOf(AppError);
    expect(err.code).toBe('WEBHOOK_URL_REFUSED');
    expect(err.status).toBe(422);
  });

  it('refuses a URL carrying user:password@ credentials, even to a public or allowlisted host, without echoing them', async () => {
    for (const url of [
      'http://user:s3cret@93.184.216.34/hook',
      'https://s3cret@8.8.8.8/',
      'http://:s3cret@127.0.0.1/',
    ]) {
      const err = await refusal(url, ['127.0.0.1']);
      expect(err.code).toBe('WEBHOOK_URL_REFUSED');
      expect(err.message).toMatch(/must not carry credentials/);
      expect(err.message).not.toContain('s3cret');
    }
    await expect(assertDeliverableUrl('http://@93.184.216.34/hook', { allow: [] })).resolves.toBeUndefined();
  });

  it('names the scheme when refusing a non-http scheme', async () => {
    expect((await refusal('gopher://example.com/')).message).toMatch(/scheme "gopher"/);
  });

  it('names the address and its range when refusing a normalised numeric host', async () => {
    const err = await refusal('http://0x7f000001:8080/');
    expect(err.message).toContain('127.0.0.1');
    expect(err.details).toMatchObject({ address: '127.0.0.1', range: 'loopback' });
  });

  it('refuses a host when any one of its addresses is internal', async () => {
    const resolve = async () => [
      { address: '93.184.216.34', family: 4 as const },
      { address: '10.1.2.3', family: 4 as const },
    ];
    await expect(assertDeliverableUrl('https://mixed.example/', { allow: [], resolve })).rejects.toMatchObject({
      code: 'WEBHOOK_URL_REFUSED',
    });
  });

  it('refuses a host that does not resolve, as a 422', async () => {
    const resolve = async () => {
      throw new Error('ENOTFOUND');
    };
    await expect(assertDeliverableUrl('https://nowhere.example/', { allow: [], resolve })).rejects.toMatchObject({
      code: 'WEBHOOK_URL_REFUSED',
    });
  });

  it('accepts a host resolving only to public addresses and returns them for pinning', async () => {
    const resolve = async () => [{ address: '93.184.216.34', family: 4 as const }];
    const ok = await resolveDeliverableUrl('https://public.example/x', { allow: [], resolve });
    expect(ok.addresses).toEqual([{ address: '93.184.216.34', family: 4 }]);
    expect(ok.host).toBe('public.example');
  });

  it('accepts loopback and private receivers only when allowlisted by IP, CIDR or host name', async () => {
    await expect(assertDeliverableUrl('http://127.0.0.1:9/x', { allow: ['127.0.0.1'] })).resolves.toBeUndefined();
    await expect(assertDeliverableUrl('http://[::1]:9/x', { allow: ['[::1]'] })).resolves.toBeUndefined();
    await expect(assertDeliverableUrl('http://10.2.3.4/x', { allow: ['10.0.0.0/8'] })).resolves.toBeUndefined();
    await expect(assertDeliverableUrl('http://localhost:9/x', { allow: ['localhost'] })).resolves.toBeUndefined();
    // An allowlisted IPv4 does not open its IPv4-mapped IPv6 spelling.
    expect((await refusal('http://[::ffff:127.0.0.1]/', ['127.0.0.1'])).code).toBe('WEBHOOK_URL_REFUSED');
    expect((await refusal('http://10.0.0.1/', ['127.0.0.1'])).code).toBe('WEBHOOK_URL_REFUSED');
  });
});

describe('addressRange', () => {
  it('classifies public addresses as unicast and special ones by range', () => {
    expect(addressRange('8.8.8.8')).toBe('unicast');
    expect(addressRange('2606:4700:4700::1111')).toBe('unicast');
    expect(addressRange('169.254.169.254')).toBe('linkLocal');
    expect(addressRange('100.100.100.200')).toBe('carrierGradeNat');
    expect(addressRange('::ffff:7f00:1')).toBe('ipv4Mapped');
  });
});

describe('parseAllowList', () => {
  it('rejects an entry that is neither host, IP nor CIDR', () => {
    expect(() => parseAllowList(['10.0.0.0/99'])).toThrow(/WEBHOOK_ALLOW_HOSTS/);
    expect(() => parseAllowList(['http://x'])).toThrow(/WEBHOOK_ALLOW_HOSTS/);
  });
});

describe('pinnedLookup', () => {
  it('answers with the checked addresses whatever host it is asked about', (done) => {
    const lookup = pinnedLookup([{ address: '93.184.216.34', family: 4 }]);
    lookup('rebinding.example', { all: true }, (err, addrs) => {
      expect(err).toBeNull();
      expect(addrs).toEqual([{ address: '93.184.216.34', family: 4 }]);
      done();
    });
  });
});
