FROM python:3.11-slim
WORKDIR /srv/catalog
COPY pyproject.toml README.md ./
COPY app app
COPY components components
COPY callbacks callbacks
COPY data data
COPY migrations migrations
COPY assets assets
RUN pip install --no-cache-dir . && useradd --system catalog
USER catalog
EXPOSE 8050
CMD ["gunicorn", "--bind", "0.0.0.0:8050", "--workers", "2", "--threads", "4", "app.wsgi:server"]
