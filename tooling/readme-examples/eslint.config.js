import { config } from '@sightline/eslint-config';

export default config;
