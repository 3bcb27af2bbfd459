/**
 * The unit the relay bounds unauthenticated connections by (server/socket/pending-auth.ts): an
 * IPv4 address, or an IPv6 /64, since one host may use any address in its /64. The bounds
 * themselves are tested with real sockets in tests/integration/relay/pending-auth.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { addressKey } from '../../../server/socket/pending-auth';

describe('the address unauthenticated connections are counted by', () => {
  it('is the IPv4 address itself, also when written IPv4-mapped', () => {
    expect(addressKey('10.1.2.3')).toBe('10.1.2.3');
    expect(addressKey('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(addressKey('::FFFF:127.0.0.1')).toBe('127.0.0.1');
    expect(addressKey(undefined)).toBe('unknown');
  });

  it('is the /64 for IPv6, however the address is written', () => {
    const key = '2001:db8:a:b::/64';
    expect(addressKey('2001:db8:a:b::1')).toBe(key);
    expect(addressKey('2001:db8:a:b:ffff:eeee:dddd:cccc')).toBe(key);
    expect(addressKey('2001:0db8:000a:000b:0:0:0:1')).toBe(key);
    expect(addressKey('2001:db8:a:b:1::')).toBe(key);
    expect(addressKey('2001:db8:a:c::1')).not.toBe(key);
  });

  it('expands :: wherever it falls, counts a dotted tail as two groups and drops a zone index', () => {
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('1::2:3:4:5:192.0.2.1')).toBe('1:0:2:3::/64');
    expect(addressKey('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });
});
