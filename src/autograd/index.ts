// Public API of src/autograd: explicit re-exports.
export {};
