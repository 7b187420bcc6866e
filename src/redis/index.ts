// Placeholder until the Redis link store lands.
export {};
