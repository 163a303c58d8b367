// Public surface of sdk/capsule (filled in by its module files).
export {};
