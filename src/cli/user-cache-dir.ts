// The command line's default cache: a per-user folder named exactly `webc-fetch`, where each
// platform keeps caches. Platform, environment and home folder are passed in, so every
// platform's rule is testable on any host (paths are built with that platform's rules).
import nodePath from 'node:path';

export const CACHE_FOLDER_NAME = 'webc-fetch';

export interface UserCacheDirInput {
  readonly platform: NodeJS.Platform;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** The user's home folder; '' when unknown. */
  readonly homedir: string;
}

/**
 * `$XDG_CACHE_HOME/webc-fetch`, else `~/.cache/webc-fetch` (Linux and other Unix systems);
 * `~/Library/Caches/webc-fetch` (macOS); `%LOCALAPPDATA%\webc-fetch`, else
 * `~\AppData\Local\webc-fetch` (Windows). Undefined when no home folder is known.
 */
export function userCacheDir({ platform, env, homedir }: UserCacheDirInput): string | undefined {
  if (platform === 'win32') {
    const local = env['LOCALAPPDATA'];
    if (local !== undefined && nodePath.win32.isAbsolute(local)) {
      return nodePath.win32.join(local, CACHE_FOLDER_NAME);
    }
    if (homedir === '') return undefined;
    return nodePath.win32.join(homedir, 'AppData', 'Local', CACHE_FOLDER_NAME);
  }
  const posix = nodePath.posix;
  if (platform === 'darwin') {
    return homedir === '' ? undefined : posix.join(homedir, 'Library', 'Caches', CACHE_FOLDER_NAME);
  }
  // The XDG Base Directory spec: a relative value is invalid and is ignored.
  const xdg = env['XDG_CACHE_HOME'];
  if (xdg !== undefined && posix.isAbsolute(xdg)) return posix.join(xdg, CACHE_FOLDER_NAME);
  return homedir === '' ? undefined : posix.join(homedir, '.cache', CACHE_FOLDER_NAME);
}
