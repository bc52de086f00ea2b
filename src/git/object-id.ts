/** Object ids live in the pure core (trailers and formats need them too); the adapter re-exports them. */
export * from '../core/object-id';
