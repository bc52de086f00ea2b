/** Every benchmark suite; each concern adds its own file and one line here. */
import type { BenchSuite } from './harness';
import { canonSuite } from './canon.bench';
import { trailersSuite } from './trailers.bench';
import { gitSuite } from './git.bench';
import { rgsSuite } from './rgs.bench';
import { foldSuite } from './fold.bench';
import { echoluaSuite } from './echolua.bench';
import { gateSuite } from './gate.bench';
import { producerSuite } from './producer.bench';
import { busSuite } from './bus.bench';
import { daemonSuite } from './daemon.bench';
import { largeSuite } from './large.bench';
import { busSegmentsSuite } from './bus-segments.bench';
import { decideSuite } from './decide.bench';

export const suites: BenchSuite[] = [canonSuite, trailersSuite, gitSuite, rgsSuite, foldSuite, echoluaSuite];
suites.push(gateSuite);
suites.push(producerSuite);
suites.push(busSuite);
suites.push(daemonSuite);
suites.push(largeSuite);
suites.push(busSegmentsSuite);
suites.push(decideSuite);
