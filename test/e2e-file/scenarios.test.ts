/** The push-gate end to end over file://, SHA-1 and SHA-256, with the regulated template installed by install.sh. */
import { gateScenarios } from '../helpers/gate-scenarios';
import { fileTransport } from '../helpers/gate-world';

jest.setTimeout(120_000);

gateScenarios(fileTransport);
