# Linkage web image: slim, non-root, gunicorn; the pinned versions of requirements.lock, as scripts/bootstrap installs them.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
# The Chinese font the certificate PDFs embed (linkage/reports/fonts.py).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-wqy-zenhei && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml requirements.lock README.md ./
COPY app.py ./
COPY linkage ./linkage
COPY matching ./matching
COPY events ./events
COPY schemas ./schemas
RUN pip install -r requirements.lock && pip install --no-deps . && useradd --create-home --uid 10001 linkage && mkdir -p /app/instance \
    && chown linkage /app/instance
USER linkage
EXPOSE 8000
# Workers use the same image: `linkage relay`, `linkage matcher`, `linkage projector`.
CMD ["gunicorn", "-c", "python:linkage.gunicorn_conf", "--bind", "0.0.0.0:8000", "app:create_app()"]
