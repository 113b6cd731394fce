import { adminAccess } from './admin-auth';

describe('admin endpoint access', () => {
  const token = 'a-long-enough-admin-token';

  it('is disabled when no token is configured, whatever the request carries', () => {
    expect(adminAccess({ authorization: `Bearer ${token}` }, '')).toBe('disabled');
  });

  it('grants the configured bearer token and nothing else', () => {
    expect(adminAccess({ authorization: `Bearer ${token}` }, token)).toBe('granted');
    expect(adminAccess({ authorization: `bearer ${token}` }, token)).toBe('granted');
    expect(adminAccess({ authorization: `Bearer ${token}x` }, token)).toBe('denied');
    expect(adminAccess({ authorization: `Bearer ${token.slice(0, -1)}` }, token)).toBe('denied');
    expect(adminAccess({ authorization: `Basic ${token}` }, token)).toBe('missing');
    expect(adminAccess({}, token)).toBe('missing');
  });
});
