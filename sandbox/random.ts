export { seededRandom } from '../src/testing/seeded-random.js';
