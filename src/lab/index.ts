// Public API of src/lab: explicit re-exports.
export {};
