/** The one skip policy (test/helpers/requires.ts): skip loudly on a developer's machine, fail under CI=true. */
import { required } from './requires';

describe('required', () => {
  const saved = process.env.CI;
  afterEach(() => {
    if (saved === undefined) delete process.env.CI;
    else process.env.CI = saved;
  });

  test('what is present is simply there', () => {
    process.env.CI = 'true';
    expect(required('sshd', true, 'openssh-server')).toBe(true);
  });

  test('missing on a developer machine: false, with a message naming the package', () => {
    delete process.env.CI;
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      expect(required('lua5.4', false, 'lua5.4')).toBe(false);
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('SKIPPED: lua5.4 is missing (Debian package lua5.4)'));
    } finally {
      warn.mockRestore();
    }
  });

  test('missing under CI=true: the suite fails, naming what CI must install', () => {
    process.env.CI = 'true';
    expect(() => required('gpg', false, 'gnupg')).toThrow('CI must install gnupg');
  });
});
