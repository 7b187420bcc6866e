// Placeholder until the queue lands.
export {};
