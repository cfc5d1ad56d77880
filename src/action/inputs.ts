// The action's inputs (INPUT_* variables, read by the caller) turned into the core's run
// settings and package request through the one settings table, before any network call. A
// refused input is a SettingError: the caller shows it in the action's words (messages.ts).
import { SETTINGS, parseSettings, type ParsedSettings } from '../core/settings.js';
import { SETTING_KEYS } from '../core/words.js';
import { ACTION_INPUTS } from './messages.js';

/** Reads one input by its action.yml name; '' when not set. */
export type InputReader = (name: string) => string;

/** The defaults of action.yml, by input name (they are the settings table's; a test checks). */
export const INPUT_DEFAULTS: Readonly<Record<string, string>> = Object.freeze(
  Object.fromEntries(SETTING_KEYS.map((key) => [ACTION_INPUTS[key], SETTINGS[key].defaultText])),
);

/** Reads and checks every input; throws one SettingError listing every input refused. */
export function readInputs(read: InputReader): ParsedSettings {
  return parseSettings((key) => read(ACTION_INPUTS[key]));
}
