import type { CommandModule } from 'yargs';
import { VERSION } from '../../core/version';
import { FOLD_ARTIFACT_VERSION } from '../../fold/artifact';
import { FOLD_ENGINE, FOLD_MATH } from '../../fold/engine-id';
import { RGC_VERSION } from '../../rgs';

export const versionCommand: CommandModule = {
  command: 'version',
  describe: 'Print the gate version and the versions of its engines',
  handler: () => {
    process.stdout.write(
      [
        `gatos ${VERSION}`,
        `fold-engine ${FOLD_ENGINE}`,
        `fold-math ${FOLD_MATH}`,
        `rgf v${FOLD_ARTIFACT_VERSION}`,
        `rgc v${RGC_VERSION}`,
        `node ${process.version}`,
      ].join('\n') + '\n',
    );
  },
};
