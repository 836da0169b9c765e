"""
Sparse text-like data: a hashed bag of words
============================================

Text regression (predicting a score from a review, a price from a listing) gives very wide,
very sparse design matrices. Here the documents are generated in code (no download): words are
drawn from a 5000-word vocabulary with Zipf frequencies, a dozen "sentiment" words move the
target, and :class:`~sklearn.feature_extraction.text.HashingVectorizer` turns the documents
into a ``scipy.sparse`` CSR matrix with 2**14 columns.

sparsereg works on the sparse matrix directly (it is never densified; the intercept is
handled by implicit centring), and the lasso picks the few columns that matter among 16384.
"""

import matplotlib.pyplot as plt
import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.model_selection import train_test_split

from sparsereg import L1RegressorCV, L2Regressor

rng = np.random.default_rng(0)
vocabulary = np.array([f"w{k}" for k in range(5000)])
frequency = 1.0 / np.arange(1, 5001) ** 1.1
frequency /= frequency.sum()
effects = {"excellent": 2.0, "great": 1.5, "good": 1.0, "fine": 0.5, "solid": 0.8,
           "love": 1.8, "poor": -1.0, "bad": -1.5, "awful": -2.0, "broken": -1.8,
           "refund": -1.2, "slow": -0.7}
cue_words = np.array(list(effects))


def document():
    words = list(rng.choice(vocabulary, size=rng.integers(20, 60), p=frequency))
    words += list(rng.choice(cue_words, size=rng.integers(0, 4)))
    return " ".join(words)


docs = [document() for _ in range(3000)]
y = np.array([sum(effects.get(w, 0.0) for w in d.split()) for d in docs])
y += 0.3 * rng.standard_normal(len(docs))

vectorizer = HashingVectorizer(n_features=2**14, alternate_sign=False, norm=None)
X = vectorizer.transform(docs)  # CSR counts
print(f"X: {type(X).__name__}, shape {X.shape}, {X.nnz} stored values "
      f"({X.nnz / np.prod(X.shape):.2%} dense)")
X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)

lasso = L1RegressorCV(cv=5, selection="1se", alphas=30).fit(X_train, y_train)
ridge = L2Regressor(alpha=lasso.alpha_).fit(X_train, y_train)
print(f"L1RegressorCV: alpha_ = {lasso.alpha_:.4f}, {lasso.n_nonzero_} nonzero of "
      f"{X.shape[1]}, test R^2 = {lasso.score(X_test, y_test):.3f}")
used = np.count_nonzero(X_train.getnnz(axis=0))  # columns seen in the training documents
print(f"L2Regressor at the same alpha: {ridge.n_nonzero_} nonzero (every one of the {used} "
      f"columns that occur in training), test R^2 = {ridge.score(X_test, y_test):.3f}")

# Which hashed columns did the lasso keep? Map the cue words to their columns.
cue_columns = vectorizer.transform(list(effects)).indices
selected = np.flatnonzero(lasso.coef_)
print(f"{np.isin(cue_columns, selected).sum()} of {len(effects)} cue words selected; "
      f"{np.setdiff1d(selected, cue_columns).size} other columns")
assert sp.issparse(X_train)

fig, ax = plt.subplots(figsize=(6, 4), layout="constrained")
true = np.array([effects[w] for w in effects])
fitted = lasso.coef_[cue_columns]
ax.bar(np.arange(len(effects)) - 0.2, true, width=0.4, label="true effect")
ax.bar(np.arange(len(effects)) + 0.2, fitted, width=0.4, label="L1RegressorCV coef_")
ax.axhline(0, color="0.5", lw=0.8)
ax.set_xticks(np.arange(len(effects)), list(effects), rotation=45)
ax.set(ylabel="coefficient",
       title=f"The cue words among {X.shape[1]} hashed columns "
             f"({lasso.n_nonzero_} nonzero in all)")
ax.legend()
plt.show()
