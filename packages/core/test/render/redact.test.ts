import { describe, expect, it } from 'vitest';
import { SecretRedactor } from '../../src/render/redact';

describe('SecretRedactor', () => {
  const secret = (password: string) =>
    `apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  password: ${password}\n  user: YWRtaW4=\nstringData:\n  token: hunter2\n`;

  it('hides every value of data and stringData; the same value gets the same tag within a run', () => {
    const r = new SecretRedactor();
    const a = r.shown(secret('czNjcjN0'))!;
    const b = r.shown(secret('bjN3LXBhc3M='))!;
    for (const leaked of ['czNjcjN0', 'YWRtaW4=', 'hunter2', 'bjN3LXBhc3M=']) {
      expect(a).not.toContain(leaked);
      expect(b).not.toContain(leaked);
    }
    const tag = (text: string, key: string) => new RegExp(`${key}: <redacted ([0-9a-f]{8})>`).exec(text)![1];
    expect(tag(a, 'user')).toBe(tag(b, 'user'));
    expect(tag(a, 'password')).not.toBe(tag(b, 'password'));
    expect(new SecretRedactor().shown(secret('czNjcjN0'))).not.toBe(a);
  });

  it('leaves other objects alone', () => {
    const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: "1"\n';
    expect(new SecretRedactor().shown(cm)).toBe(cm);
  });
});
