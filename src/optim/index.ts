// Public API of src/optim: explicit re-exports.
export {};
