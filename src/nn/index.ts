// Public API of src/nn: explicit re-exports.
export {};
