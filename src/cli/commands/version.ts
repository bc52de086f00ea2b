import type { CommandModule } from 'yargs';
import { VERSION } from '../../core/version';
import { FOLD_ARTIFACT_VERSION } from '../../fold/artifact';
import { FOLD_ENGINE, FOLD_MATH } from '../../fold/engine-id';
import { RGC_VERSION } from '../../rgs';
import { JSON_OPTION, printJson } from '../json';

export const versionCommand: CommandModule<object, { json: boolean }> = {
  command: 'version',
  describe: 'Print the gate version and the versions of its engines',
  builder: (y) => y.options(JSON_OPTION),
  handler: (args) => {
    if (args.json) {
      printJson({ gatos: VERSION, fold_engine: FOLD_ENGINE, fold_math: FOLD_MATH, rgf: FOLD_ARTIFACT_VERSION, rgc: RGC_VERSION, node: process.version });
      return;
    }
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
