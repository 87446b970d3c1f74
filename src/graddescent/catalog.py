"""What each of the 14 methods is: one record per method, read by every layer above.

A :class:`Method` holds everything the package knows of a method: its family (which
compiled driver runs it), R's ``control`` entries it takes, its rules (R's first, then the
published ones where R's departs from them: :class:`Rule`), and how the automatic step,
the stable-step bound, averaging and streams apply to it. :data:`METHODS` lists them in
R's order.
"""

from dataclasses import dataclass, field

from . import _kernels as K

__all__ = ["Rule", "Method", "METHODS", "FAMILIES", "VARIANTS"]

#: The three families, each run by one compiled driver (``graddescent._kernels``).
FAMILIES = ("full batch", "single row", "variance reduced")
#: Every variant name a method may have ("R" is R's rule and numbers; the others the published rules).
VARIANTS = ("R", "textbook", "amsgrad")


@dataclass(frozen=True)
class Rule:
    """One update rule of a method: R's (``name="R"``) or a published one.

    ``kernel`` is the driver's code for it. ``constants`` are the published rule's
    keyword-only constants with torch.optim's defaults (R's rules fix their own).
    ``step`` says what ``alpha="auto"`` is for it and ``bound`` the largest stable step
    (:mod:`graddescent.convergence` computes both): ``"1/L"``, ``"1/(4 R2)"``,
    ``"1/(16 R2)"``, ``"ln2/(innerIter R2)"``, ``"trial"`` (the best of a trial pass),
    None (no step: ADADELTA); the bound as the message of a diverged fit writes it, None
    where there is none.
    """

    name: str
    kernel: int
    step: object
    bound: object
    constants: dict = field(default_factory=dict)
    text: str = ""  # what the rule is, for docstrings


@dataclass(frozen=True)
class Method:
    """One of R's 14 methods.

    ``control`` are the entries of R's ``control`` list it takes (R's names, R's order);
    ``rules`` maps each variant it has to its :class:`Rule`, R's first. ``streams``: its
    estimator learns from a stream of batches (``partial_fit``). ``averages``: with
    ``alpha="auto"`` its iterates are averaged (the single-row methods and MBGD).
    ``momentum`` is the estimators' default: ``"auto"`` for MGD and AGD (the optimal momentum
    for the data's spectrum, :mod:`graddescent.certificate`), 0.999 for RMSPROP and ADADELTA
    (their scalar running averages of squared gradients, over the last ten steps at R's 0.9,
    scale each row's step by that row's own size and so settle off the least-squares optimum;
    over a thousand steps they do not), R's 0.9 elsewhere. ``torch`` names the torch.optim class its published rule is
    checked against. ``variant`` is the estimators' default rule: R's, but for SARAHPlus (whose R
    rule tests only the intercept's gradient, which R's scaling makes tiny at once, so that its
    inner loops end after a step or two and the fit does not reach least squares).
    """

    name: str
    family: str
    control: tuple
    rules: dict
    summary: str
    streams: bool = False
    averages: bool = False
    momentum: object = 0.9
    torch: str = None
    variant: str = "R"

    @property
    def variants(self):
        """The variants it has, R's first."""
        return tuple(self.rules)

    @property
    def by_row(self):
        """Whether it reads the data by row (one row per step): the single-row family."""
        return self.family == "single row"

    @property
    def groups_rows(self):
        """Whether its rows are grouped by whole weight as they are scaled
        (:meth:`graddescent.data.Dense.scaled`): GD, MGD and AGD read them only through sums over
        all of them (True: in any order, the same numbers); the variance-reduced methods also by
        R's numbers of them, found where they went (``"large"``: where some weigh more than
        :data:`graddescent.weighting.LARGE_WEIGHTS`, whose rows one by one make short blocks of the
        full sums); the others read them in R's order (False)."""
        if self.family == FAMILIES[0]:
            return self.name != "MBGD"
        return "large" if self.family == FAMILIES[2] else False

    @property
    def constants(self):
        """The published rules' constants, with torch.optim's defaults (none where it has only R's rule)."""
        return self.rules[self.variants[-1]].constants


def _method(name, family, control, summary, rules, **facts):
    return Method(name, family, ("alpha", "maxIter", *control) if name != "ADADELTA" else ("maxIter", *control),
                  {rule.name: rule for rule in rules}, summary, **facts)


_R = "R"
_FB, _SR, _VR = FAMILIES
_SINGLE = {"streams": True, "averages": True}

METHODS = {m.name: m for m in (
    _method("GD", _FB, (), "Gradient Descent on all rows",
            [Rule(_R, K.FullBatch.GD, "1/L", "2/L")]),
    _method("MBGD", _FB, ("nBatch",),
            "Mini-Batch Gradient Descent: GD steps on consecutive slices of the shuffled rows",
            [Rule(_R, K.FullBatch.GD, "1/L", "2/L")], streams=True, averages=True),
    _method("SGD", _SR, (), "Stochastic Gradient Descent: one random row per step",
            [Rule(_R, K.SingleRow.SGD, "1/(4 R2)", "2/max|x_i|^2")], **_SINGLE),
    _method("SAGD", _SR, (), "Stochastic Average Gradient Descent (R's: SGD that skips each step on a coin flip)",
            [Rule(_R, K.SingleRow.SGD, "1/(4 R2)", "2/max|x_i|^2"),
             Rule("textbook", K.SingleRow.SAG, "1/(16 R2)", None,
                  text="SAG (Schmidt, Le Roux and Bach 2017)")], **_SINGLE),
    _method("MGD", _FB, ("momentum",), "Momentum Gradient Descent",
            [Rule(_R, K.FullBatch.MGD, "1/L", "2(1 + momentum)/L")], momentum="auto"),
    _method("AGD", _FB, ("momentum",), "Accelerated (Nesterov) Gradient Descent",
            [Rule(_R, K.FullBatch.AGD, "1/L", "2(1 + momentum)/((1 + 2 momentum) L)"),
             Rule("textbook", K.FullBatch.AGD_TEXTBOOK, "1/L", "2(1 + momentum)/((1 + 2 momentum) L)",
                  text="Nesterov momentum as torch.optim.SGD(nesterov=True)")], momentum="auto"),
    _method("ADAGRAD", _SR, (), "Adaptive Gradient (R's variant: one accumulator for all columns)",
            [Rule(_R, K.SingleRow.ADAGRAD, "trial", None),
             Rule("textbook", K.SingleRow.ADAGRAD_TEXTBOOK, "trial", None, {"epsilon": 1e-10},
                  "one accumulator per coefficient, as torch.optim.Adagrad (Duchi, Hazan and Singer 2011)")],
            torch="Adagrad", **_SINGLE),
    _method("ADADELTA", _SR, ("momentum",), "ADADELTA (no learning rate; R's scalar running averages)",
            [Rule(_R, K.SingleRow.ADADELTA, None, None),
             Rule("textbook", K.SingleRow.ADADELTA_TEXTBOOK, None, None, {"epsilon": 1e-6},
                  "per coefficient, as torch.optim.Adadelta with learning rate 1 (Zeiler 2012)")],
            torch="Adadelta", momentum=0.999, **_SINGLE),
    _method("RMSPROP", _SR, ("momentum",), "RMSprop (R's variant: one running mean for all columns)",
            [Rule(_R, K.SingleRow.RMSPROP, "trial", None),
             Rule("textbook", K.SingleRow.RMSPROP_TEXTBOOK, "trial", None, {"epsilon": 1e-8},
                  "per coefficient, as torch.optim.RMSprop (Tieleman and Hinton 2012)")],
            torch="RMSprop", momentum=0.999, **_SINGLE),
    _method("ADAM", _SR, (), "Adam (R's variant: scalar moments, constant bias correction)",
            [Rule(_R, K.SingleRow.ADAM, "trial", None),
             Rule("textbook", K.SingleRow.ADAM_TEXTBOOK, "trial", None,
                  {"beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
                  "per coefficient, corrected by ``1 - beta^t``, as torch.optim.Adam (Kingma and Ba 2015)"),
             Rule("amsgrad", K.SingleRow.AMSGRAD, "trial", None, {"beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8},
                  "with the running maximum of the second moment, as torch.optim.Adam(amsgrad=True) (Reddi, "
                  "Kale and Kumar 2018)")],
            torch="Adam", **_SINGLE),
    _method("SVRG", _VR, ("innerIter", "option"), "Stochastic Variance Reduced Gradient",
            [Rule(_R, K.VarianceReduced.SVRG, "1/(4 R2)", "2/max|x_i|^2"),
             Rule("textbook", K.VarianceReduced.SVRG, "1/(4 R2)", "2/max|x_i|^2",
                  text="option 1 keeps the last inner iterate (Johnson and Zhang 2013)")]),
    _method("SSGD", _VR, ("lamda", "innerIter"), "Semi Stochastic Gradient Descent (R's sign)",
            [Rule(_R, K.VarianceReduced.SSGD, "ln2/(innerIter R2)", "ln(2)/(innerIter max|x_i|^2)"),
             Rule("textbook", K.VarianceReduced.SSGD_TEXTBOOK, "1/(4 R2)", "2/max|x_i|^2",
                  text="S2GD's sign of the correction (Konecny and Richtarik 2017)")]),
    _method("SARAH", _VR, ("innerIter",), "StochAstic Recursive grAdient algoritHm",
            [Rule(_R, K.VarianceReduced.SARAH, "1/(4 R2)", "2/max|x_i|^2")]),
    _method("SARAHPlus", _VR, ("innerIter", "gammaS"), "SARAH+: SARAH whose inner loop stops early",
            [Rule(_R, K.VarianceReduced.SARAH, "1/(4 R2)", "2/max|x_i|^2"),
             Rule("textbook", K.VarianceReduced.SARAHPLUS_TEXTBOOK, "1/(4 R2)", "2/max|x_i|^2",
                  text="the test on the whole gradient vector's norm (Nguyen et al. 2017)")], variant="textbook"),
)}
