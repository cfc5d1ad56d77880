import { describe, expect, it } from 'vitest';
import { userCacheDir } from '../../src/cli/user-cache-dir.js';

describe('the per-user cache folder', () => {
  it('is $XDG_CACHE_HOME/webc-fetch on Linux when set to an absolute path', () => {
    expect(
      userCacheDir({
        platform: 'linux',
        env: { XDG_CACHE_HOME: '/var/cache/me' },
        homedir: '/home/me',
      }),
    ).toBe('/var/cache/me/webc-fetch');
  });

  it('is ~/.cache/webc-fetch on Linux without XDG_CACHE_HOME, or with a relative one (ignored, as the XDG spec says)', () => {
    expect(userCacheDir({ platform: 'linux', env: {}, homedir: '/home/me' })).toBe(
      '/home/me/.cache/webc-fetch',
    );
    expect(
      userCacheDir({ platform: 'linux', env: { XDG_CACHE_HOME: 'cache' }, homedir: '/home/me' }),
    ).toBe('/home/me/.cache/webc-fetch');
    expect(userCacheDir({ platform: 'freebsd', env: {}, homedir: '/home/me' })).toBe(
      '/home/me/.cache/webc-fetch',
    );
  });

  it('is ~/Library/Caches/webc-fetch on macOS, whatever XDG_CACHE_HOME says', () => {
    expect(
      userCacheDir({ platform: 'darwin', env: { XDG_CACHE_HOME: '/x' }, homedir: '/Users/me' }),
    ).toBe('/Users/me/Library/Caches/webc-fetch');
  });

  it('is %LOCALAPPDATA%\\webc-fetch on Windows, else under the profile', () => {
    expect(
      userCacheDir({
        platform: 'win32',
        env: { LOCALAPPDATA: 'C:\\Users\\me\\AppData\\Local' },
        homedir: 'C:\\Users\\me',
      }),
    ).toBe('C:\\Users\\me\\AppData\\Local\\webc-fetch');
    expect(userCacheDir({ platform: 'win32', env: {}, homedir: 'C:\\Users\\me' })).toBe(
      'C:\\Users\\me\\AppData\\Local\\webc-fetch',
    );
  });

  it('is unknown without a home folder (the caller then runs uncached or needs --cache-dir)', () => {
    expect(userCacheDir({ platform: 'linux', env: {}, homedir: '' })).toBeUndefined();
    expect(userCacheDir({ platform: 'darwin', env: {}, homedir: '' })).toBeUndefined();
    expect(userCacheDir({ platform: 'win32', env: {}, homedir: '' })).toBeUndefined();
  });
});
