// Public surface of sdk/ect (filled in by its module files).
export {};
