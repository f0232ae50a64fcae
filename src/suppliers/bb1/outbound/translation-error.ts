/** A tenant request the tables cannot translate is an InvalidRequest: each message names the field and what is allowed. */
export { InvalidRequest as TranslationError, Problems } from '../../../orders/errors.js';
