// The packages the demo, the e2e workflow and the offline quick start serve: one where both
// distributions are sound, one whose v3 has a corrupted volume (its registry digest computed
// over the corrupted bytes, so only the container checks can catch it), one without v3.
import { corruptLastVolume, type SeedPackages } from '../../testing/seed.js';

export const DEMO_PACKAGES: SeedPackages = {
  'demo/hello': [{ version: '1.0.0' }, { version: '1.1.0' }],
  'demo/broken-v3': [
    { version: '1.0.0' },
    { version: '1.1.0', v3: { mutate: (bytes) => corruptLastVolume(bytes, 'v3') } },
  ],
  'demo/v2-only': [{ version: '1.0.0', v3: false }],
};
