"""Teaching you can touch: the methods' paths on the contours of the loss, in Jupyter and in
a browser.

The modules, each importing only those listed after it: ``widget`` (the Jupyter explorer,
ipywidgets), ``page`` (the offline page of ``graddescent explore``), ``drawing`` (the
figure, matplotlib), ``paths`` (the fits, :func:`graddescent.drivers.run` with its path) and
``problem`` (the data, its least-squares solution and the loss over two coefficients).
"""

__all__ = ["explore"]


def explore(data=None, method="GD", variant="R", alpha=0.1, momentum=0.9, seed=1, passes=30, coefficients=None,
            scaling="variance", race=None):
    """An interactive explorer of the 14 methods, for Jupyter (not in R).

    Controls choose the method and its variant (or a race of several methods from one
    start), the learning rate (on a log scale), the momentum, the seed and how many passes
    over the data each fit runs; step forward, step back and play move along the path. The
    figure shows the path on the contours of the loss over two coefficients (the others at
    their least-squares values) beside the loss against the iterations, and for the
    adaptive methods (ADAGRAD, ADADELTA, RMSPROP, ADAM) the step each coefficient is given
    at the current iteration. Every number is the package's: each path is the fit stopped
    there (``graddescent.drivers.run`` with ``path_every``, R's fixed iterations), the
    least-squares solution the certificate's (:mod:`graddescent.certificate`).

    Parameters
    ----------
    data : pandas.DataFrame or numpy.ndarray, optional
        Numbers, the output last. Default: a table of two correlated inputs
        (:func:`graddescent.explorer.problem.example`), whose two slopes are drawn.
    method : str, default "GD"
        The method shown first (R's names).
    variant : str, default "R"
        Its rule: R's, or a published one it has (``"textbook"``, ``"amsgrad"``).
    alpha : float, default 0.1
        The learning rate (R's default), 0.001 to 10 on the slider.
    momentum : float, default 0.9
        R's default; used by MGD, AGD, ADADELTA and RMSPROP.
    seed : int, default 1
        R's seed: the start (R's getTheta) and the rows drawn.
    passes : int, default 30
        Passes over the data each fit runs (R's maxIter: so many iterations of GD, MGD, AGD
        and the variance-reduced methods, twice that for MBGD, so many times the rows for
        the single-row methods, of which 20 rows a pass are drawn).
    coefficients : pair of str or int, optional
        The two coefficients drawn (``"(Intercept)"`` or an input's name, or positions, 0 the
        intercept); default the last two. The explorer's controls change them too.
    scaling : {"variance", "minmax", None}, default "variance"
        R's scaling of every column before the fits (None: the data as given).
    race : sequence of str, optional
        The methods of the race (at most five; a published rule as ``"ADAM (textbook)"``);
        default GD, MGD, SGD, ADAM and SVRG.

    Returns
    -------
    graddescent.explorer.widget.Explorer
        An ipywidgets ``VBox``: display it in Jupyter. Its ``controls`` are the widgets, its
        ``image`` the figure as PNG, its ``runs`` the paths drawn.

    Raises
    ------
    ImportError
        Without ipywidgets: ``pip install 'graddescent[explore]'``.

    See Also
    --------
    graddescent.drivers.run : the fits, with their paths.

    Examples
    --------
    >>> import graddescent as gd
    >>> gd.explore()                                     # doctest: +SKIP
    >>> gd.explore(gd.datasets.load("co2_compressibility"), method="ADAM")   # doctest: +SKIP
    """
    try:
        import ipywidgets  # noqa: F401
    except ImportError:
        raise ImportError("graddescent.explore needs ipywidgets: pip install 'graddescent[explore]'") from None
    from .paths import RACE
    from .widget import explorer

    return explorer(data, coefficients, scaling, method=method, variant=variant, alpha=alpha, momentum=momentum,
                    seed=seed, passes=passes, race=RACE if race is None else race)
