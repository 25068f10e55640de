"""The package's version, on its own so that any stage can record it without importing the
package face (which would put the top of the import order under the bottom)."""

__version__ = "0.1.0"
