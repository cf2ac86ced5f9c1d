/**
 * Weight initialization, each scheme named by its formula: constant, normal and uniform with
 * variance c/n, Xavier/Glorot, Kaiming/He, LeCun, sparse and orthogonal. Every initializer draws
 * from a generator passed in, so a seed fixes every weight.
 */
package descent.init;
