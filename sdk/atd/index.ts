// Public surface of sdk/atd (filled in by its module files).
export {};
