// Placeholder: the real demo (grad, jvp, vmap on both backends) replaces this.
console.log("diffect demo")
