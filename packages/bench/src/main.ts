// Placeholder: benchmarks against TensorFlow.js and jax-js replace this.
console.log("diffect bench: no benchmarks yet")
