/**
 * The cloud's own deletion-protection argument, by resource type, for the stateful types the kit
 * creates (Amazon MQ and ElastiCache have none). One list for the three places that need it: the
 * policy rule that requires it, the `allowDestroy` pass that lifts it, and the change guard, which
 * reads it from a plan's prior state.
 */
export const DELETION_PROTECTION_ARGUMENT: Readonly<Record<string, string>> = {
  google_memorystore_instance: 'deletion_protection_enabled',
  google_secret_manager_secret: 'deletion_protection',
};
