"""mockkit"""
