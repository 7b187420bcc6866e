// The one waitFor lives in test/support; the queue tests import it from here too.
export { waitFor } from '../../support/wait-for.js';
